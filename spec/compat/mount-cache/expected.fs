res d 0755 0:0 
res/c2 f 0644 0:0 12 4f5753c577137ddc
res/seen f 0644 0:0 7 d5d52eb1da8d32a3
