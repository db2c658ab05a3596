.difo a
	mov  %r256, %r1
