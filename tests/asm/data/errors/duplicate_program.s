.difo a
	ret %r0
.difo a
	ret %r0
