.difo a
.var x global scalar type=float8
