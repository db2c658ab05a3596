.difo a
.return float 8
