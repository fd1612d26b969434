d d 0755 0:0 
d/a.txt f 0644 0:0 3 98ea6e4f216f2fb4
