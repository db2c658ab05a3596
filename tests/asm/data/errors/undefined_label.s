.difo a
	ba   nowhere
	ret  %r0
