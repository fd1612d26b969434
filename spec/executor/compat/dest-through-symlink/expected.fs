esc l 0777 0:0 -> ../../../../tmp
tmp d 1777 0:0 
tmp/a.txt f 0644 0:0 3 98ea6e4f216f2fb4
up.txt f 0644 0:0 3 98ea6e4f216f2fb4
