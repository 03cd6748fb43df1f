"Lesson 9, rebuilt as tersely as the notebooks write it."
