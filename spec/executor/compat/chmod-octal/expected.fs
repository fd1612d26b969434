c d 0755 0:0 
c/f.md f 0600 0:0 2 092fcfbbcfca3b5b
c/g f 0600 0:0 2 768c71d785bf6bbb
c/sub d 0600 0:0 
c/sub/s f 0600 0:0 2 cbc80bb5c0c0f894
c2 f 0755 0:0 3 98ea6e4f216f2fb4
