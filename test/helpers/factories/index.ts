export * from './staff';
export * from './contests';
