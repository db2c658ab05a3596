.difo a
	mov  %rx, %r1
