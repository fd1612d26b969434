exists d 0755 0:0 
exists/f f 0644 0:0 2 092fcfbbcfca3b5b
newdir d 0755 0:0 
newdir/f f 0644 0:0 2 092fcfbbcfca3b5b
newfile f 0644 0:0 2 092fcfbbcfca3b5b
wd d 0755 0:0 
wd/f f 0644 0:0 2 092fcfbbcfca3b5b
wd/rel f 0644 0:0 2 092fcfbbcfca3b5b
wd/reldir d 0755 0:0 
wd/reldir/f f 0644 0:0 2 092fcfbbcfca3b5b
