.difo a
	ba   -1
