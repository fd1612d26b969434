etc/group f 0644 0:0 39 688771b6bf2b4ba3
etc/passwd f 0644 0:0 117 dd8377887e905076
rootowned d 0755 0:0 
rootowned/x d 0755 0:0 
srv d 0755 1000:1000 
srv/data d 0755 1000:1000 
srv/logs d 0755 1000:1000 
srv/logs/today d 0755 1000:1000 
tmp/where f 0644 1000:1000 16 22e81f89ae1156a5
