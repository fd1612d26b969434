app d 0755 0:0 
