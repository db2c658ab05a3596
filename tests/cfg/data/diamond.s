# if (x) y = 2; else y = 3; return y -- plus dead code after the ret.
.difo diamond
.return int 8
	setx 1, %r1
	tst %r1
	be L1
	setx 2, %r2
	ba L2
L1:
	setx 3, %r2
L2:
	ret %r2
	ret %r1

.difo pred
.return int 4
	ldgs execname, %r1
	sets "idle", %r2
	scmp %r1, %r2
	be Lidle
	setx 1, %r1
	ret %r1
Lidle:
	ret %r0
