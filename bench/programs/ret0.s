# The smallest program: its time is the fixed cost of one dif_exec.
.difo ret0
.return int 8
	ret  %r0
