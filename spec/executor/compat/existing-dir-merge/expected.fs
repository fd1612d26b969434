bin/a.txt f 0644 0:0 3 98ea6e4f216f2fb4
etc/f.md f 0644 0:0 2 092fcfbbcfca3b5b
etc/g f 0755 0:0 2 768c71d785bf6bbb
etc/sub d 0750 0:0 
etc/sub/s f 0644 0:0 2 cbc80bb5c0c0f894
