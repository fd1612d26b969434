chowned d 0755 1:1 
chowned/link l 0777 1:1 -> only
chowned/only f 0644 1:1 5 321b4285d2fec34a
chowned/sub d 0755 1:1 
chowned/sub/s f 0644 1:1 2 cbc80bb5c0c0f894
kept d 0755 0:0 
kept/link l 0777 5:5 -> only
kept/only f 0644 3:4 5 321b4285d2fec34a
kept/sub d 0755 7:8 
kept/sub/s f 0644 9:9 2 cbc80bb5c0c0f894
single f 0644 3:4 5 321b4285d2fec34a
