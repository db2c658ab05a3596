.difo a
.var x global scalar size=8
