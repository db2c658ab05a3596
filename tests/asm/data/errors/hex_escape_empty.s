.difo a
	sets "\xg", %r1
