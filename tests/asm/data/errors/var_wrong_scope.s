.difo a
.var x thread scalar
	ldgs x, %r1
