.difo a
	ba   12abc
