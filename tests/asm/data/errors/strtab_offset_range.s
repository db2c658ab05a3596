.difo a
	sets DT_STRING[70000], %r1
