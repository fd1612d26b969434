o d 0755 7:8 
o/deep d 0755 7:8 
o/deep/x f 0644 3:4 6 940a68104d3b6904
p d 0755 7:8 
p/a.txt f 0644 7:8 3 98ea6e4f216f2fb4
