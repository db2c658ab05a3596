.difo a
.var x galactic scalar
