o d 0755 1:2 
o/a.txt f 0644 1:2 3 98ea6e4f216f2fb4
o/f.md f 0644 1:2 2 092fcfbbcfca3b5b
o/g f 0755 1:2 2 768c71d785bf6bbb
o/sub d 0750 1:2 
o/sub/s f 0644 1:2 2 cbc80bb5c0c0f894
