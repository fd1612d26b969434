all d 0755 0:0 
all/abs l 0777 0:0 -> /etc/passwd
all/d d 0755 0:0 
all/d/up l 0777 0:0 -> ../outside
all/dangling l 0777 0:0 -> missing
all/rel l 0777 0:0 -> target
all/target f 0644 0:0 2 fe8edeeb98cc6d3b
dcontents d 0755 0:0 
dcontents/up l 0777 0:0 -> ../outside
inrun l 0777 0:0 -> /all/target
rel-copied f 0644 0:0 2 fe8edeeb98cc6d3b
weird l 0777 0:0 -> ../../x
