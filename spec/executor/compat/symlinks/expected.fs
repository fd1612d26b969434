l f 0644 0:0 3 98ea6e4f216f2fb4
ld d 0755 0:0 
ld/abs l 0777 0:0 -> /etc/passwd
ld/dangling l 0777 0:0 -> nowhere
ld/rel l 0777 0:0 -> ../a.txt
