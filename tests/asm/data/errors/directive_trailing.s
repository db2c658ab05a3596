.difo a b
