hd d 0755 0:0 
hd/expand f 0644 0:0 15 5c12fd0cbc2f45c8
hd/literal f 0644 0:0 9 4e77cd3c268c1b5a
hd/multi d 0755 0:0 
hd/multi/A f 0644 0:0 10 4ee4199e550ea507
hd/multi/B f 0644 0:0 10 980e8c902cc49898
hd/plain f 0644 0:0 14 492f652b44837bdc
hd/script.sh f 0755 0:0 18 299001868fb8c02f
