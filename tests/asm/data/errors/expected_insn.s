.difo a
	[%r1]
