.difo a
	sets "\777", %r1
