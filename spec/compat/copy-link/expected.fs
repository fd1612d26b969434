existing d 0755 0:0 
existing/l f 0644 0:0 2 6d7ebc44c5bc2620
existing/old f 0644 0:0 4 01d09d19c2139a46
fromstage d 0755 0:0 
fromstage/y f 0644 0:0 7 9ac007af3de930ba
new d 0755 0:0 
new/deep d 0755 0:0 
new/deep/l f 0644 0:0 2 6d7ebc44c5bc2620
owned f 0644 1:2 2 6d7ebc44c5bc2620
