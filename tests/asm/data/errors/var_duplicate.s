.difo a
.var x global scalar
.var x global array
