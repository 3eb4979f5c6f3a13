import { Provider } from '@nestjs/common';
import { SecurityDetection } from './security-detection';

export const DETECTION_PROVIDERS: Provider[] = [SecurityDetection];
