.difo a
	pushtv double, %r1
