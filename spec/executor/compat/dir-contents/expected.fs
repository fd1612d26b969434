out d 0755 0:0 
out/f.md f 0644 0:0 2 092fcfbbcfca3b5b
out/g f 0755 0:0 2 768c71d785bf6bbb
out/sub d 0750 0:0 
out/sub/s f 0644 0:0 2 cbc80bb5c0c0f894
