dd d 0755 0:0 
dd/a.txt f 0644 0:0 3 98ea6e4f216f2fb4
dd/b.md f 0644 0:0 4 c150e5a8a604aceb
