# Predicate /pid == 1234 && execname == "sshd"/.
# The benchmark's inputs satisfy it, so both bne fall through (10 executed).
.difo pred
.return int 4
	ldgs pid, %r1
	setx 1234, %r2
	cmp  %r1, %r2
	bne  Lfalse
	ldgs execname, %r1
	sets "sshd", %r2
	scmp %r1, %r2
	bne  Lfalse
	setx 1, %r1
	ret  %r1
Lfalse:
	ret  %r0
