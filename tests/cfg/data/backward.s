# A backward branch: the DAG analyses refuse it with its location.
.difo loop
.return int 8
L:
	setx 1, %r1
	ba L
	ret %r1
