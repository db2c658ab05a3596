.difo a
	ba   16777216
