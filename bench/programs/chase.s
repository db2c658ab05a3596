# curthread->t_proc->p_parent->p_cred->cr_uid through host memory (a
# registered region): one unchecked ldx, then checked rldx/rlduw loads.
.difo chase
.return int 4
	ldgs curthread, %r1
	setx 16, %r2
	add  %r1, %r2, %r1
	ldx  [%r1], %r1
	setx 24, %r2
	add  %r1, %r2, %r1
	rldx [%r1], %r1
	setx 32, %r2
	add  %r1, %r2, %r1
	rldx [%r1], %r1
	setx 4, %r2
	add  %r1, %r2, %r1
	rlduw [%r1], %r1
	ret  %r1
