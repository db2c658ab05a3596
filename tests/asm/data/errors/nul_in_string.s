.difo a
	sets "a\0b", %r1
