t d 0755 0:0 
t-after f 0644 0:0 6 783ecc70cac25caf
t/under f 0644 0:0 5 f34848ca92665c34
tmpfs-list f 0644 0:0 7 e9fbdde70db473ee
