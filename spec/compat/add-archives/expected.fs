bz2 d 0755 0:0 
bz2/pkg d 0755 7:8 
bz2/pkg/a f 0640 7:8 4 2c8b08da5ce60398
bz2/pkg/lnk l 0777 7:8 -> a
bz2/pkg/sub d 0755 7:8 
bz2/pkg/sub/b f 0644 7:8 4 27dd8ed44a83ff94
ftxt f 0644 0:0 11 a21f54d2f0889267
gz d 0755 0:0 
gz/pkg d 0755 7:8 
gz/pkg/a f 0640 7:8 4 2c8b08da5ce60398
gz/pkg/lnk l 0777 7:8 -> a
gz/pkg/sub d 0755 7:8 
gz/pkg/sub/b f 0644 7:8 4 27dd8ed44a83ff94
plain d 0755 0:0 
plain/pkg d 0755 7:8 
plain/pkg/a f 0640 7:8 4 2c8b08da5ce60398
plain/pkg/lnk l 0777 7:8 -> a
plain/pkg/sub d 0755 7:8 
plain/pkg/sub/b f 0644 7:8 4 27dd8ed44a83ff94
single d 0755 0:0 
single/single.gz f 0644 0:0 31 ad47f5c7af99f5aa
xz d 0755 0:0 
xz/pkg d 0755 7:8 
xz/pkg/a f 0640 7:8 4 2c8b08da5ce60398
xz/pkg/lnk l 0777 7:8 -> a
xz/pkg/sub d 0755 7:8 
xz/pkg/sub/b f 0644 7:8 4 27dd8ed44a83ff94
