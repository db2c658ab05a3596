.difo a
.var x global scalar flags=rx
