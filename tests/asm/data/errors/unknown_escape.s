.difo a
	sets "a\qb", %r1
