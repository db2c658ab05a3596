.difo a
.var x global vector
