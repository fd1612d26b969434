added d 0755 0:0 
added/private f 0600 0:0 2 fd6641673e7f3bf6
added/script f 0755 0:0 2 cbc80bb5c0c0f894
m d 0755 0:0 
m/empty d 1777 0:0 
m/x d 0700 0:0 
m/x/private f 0600 0:0 2 fd6641673e7f3bf6
m/x/script f 0755 0:0 2 cbc80bb5c0c0f894
