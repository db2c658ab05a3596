.difo a
	sets "abc, %r1
