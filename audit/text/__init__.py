"""Reading the text: files, sentences, invisible characters, figures, word lists."""
