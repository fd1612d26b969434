- etc/group
- root
d d 0755 0:0 
d/f2 f 0644 0:0 6 9252a75c942da16f
keep d 0755 0:0 
keep/k f 0644 0:0 0 e3b0c44298fc1c14
