asdir d 0755 0:0 
asdir-slash d 0755 0:0 
asdir-slash/d.txt f 0644 0:0 2 8d74beec1be99632
asdir-slash/sub d 0755 0:0 
asdir-slash/sub/s.txt f 0644 0:0 2 cbc80bb5c0c0f894
asdir/d.txt f 0644 0:0 2 8d74beec1be99632
asdir/sub d 0755 0:0 
asdir/sub/s.txt f 0644 0:0 2 cbc80bb5c0c0f894
bracket d 0755 0:0 
bracket/d.txt f 0644 0:0 2 8d74beec1be99632
bracket/sub d 0755 0:0 
bracket/sub/s.txt f 0644 0:0 2 cbc80bb5c0c0f894
intodir d 0755 0:0 
intodir/a.txt f 0644 0:0 2 87428fc522803d31
many d 0755 0:0 
many/a.txt f 0644 0:0 2 87428fc522803d31
many/b.txt f 0644 0:0 2 0263829989b6fd95
md d 0755 0:0 
md/one.md f 0644 0:0 4 fda1591e295d833c
md/two.md f 0644 0:0 4 872fe685522a109d
qmark d 0755 0:0 
qmark/a.txt f 0644 0:0 2 87428fc522803d31
qmark/b.txt f 0644 0:0 2 0263829989b6fd95
renamed f 0644 0:0 2 87428fc522803d31
